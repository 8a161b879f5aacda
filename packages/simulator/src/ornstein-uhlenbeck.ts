/**
 * One exact step of an Ornstein–Uhlenbeck process, dx = −(x − μ)/τ dt + σ√(2/τ) dW, whose stationary
 * standard deviation is `sd`: x' = μ + (x − μ)·e^(−Δt/τ) + sd·√(1 − e^(−2Δt/τ))·N(0,1).
 * Exact for any step length, so irregular message intervals need no special care (Gillespie, Phys Rev E
 * 54:2084, 1996). `normal` is a standard normal variate supplied by the caller.
 */
export function ouStep(x: number, mean: number, sd: number, tauMs: number, dtMs: number, normal: number): number {
  if (dtMs <= 0) return x;
  const decay = Math.exp(-dtMs / tauMs);
  return mean + (x - mean) * decay + sd * Math.sqrt(1 - decay * decay) * normal;
}
