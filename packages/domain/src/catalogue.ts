import { CATALOGUE, type CatalogueEntry } from './catalogue-table.js';
import { acceptedUnits, unitConversion, type UnitConversion } from './units.js';

/** Looks codes and aliases up in the catalogue and resolves units to the canonical one. */
export class Catalogue {
  private readonly byName = new Map<string, CatalogueEntry>();

  constructor(readonly entries: readonly CatalogueEntry[] = CATALOGUE) {
    for (const entry of entries) {
      for (const name of [entry.code, String(entry.mdc), ...entry.aliases]) {
        if (this.byName.has(name)) throw new Error(`catalogue: "${name}" is defined twice`);
        this.byName.set(name, entry);
      }
    }
  }

  /** The entry for an MDC reference id, its numeric code as a string, or an alias. */
  lookup(codeOrAlias: string): CatalogueEntry | undefined {
    return this.byName.get(codeOrAlias);
  }

  /** The conversion of a device's unit into the entry's canonical unit, or undefined if not accepted. */
  conversion(entry: CatalogueEntry, deviceUnit: string): UnitConversion | undefined {
    return unitConversion(entry.unit, deviceUnit);
  }

  acceptedUnits(entry: CatalogueEntry): string[] {
    return acceptedUnits(entry.unit);
  }
}

export type { CatalogueEntry };
