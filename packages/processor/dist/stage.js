export {};
//# sourceMappingURL=stage.js.map