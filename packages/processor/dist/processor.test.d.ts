export {};
//# sourceMappingURL=processor.test.d.ts.map