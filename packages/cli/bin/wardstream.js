#!/usr/bin/env node
// The installed `wardstream` command. Plain JavaScript so the file exists before the build (npm
// links bins at install time); the command itself is compiled from packages/cli/src.
import '../dist/main.js';
