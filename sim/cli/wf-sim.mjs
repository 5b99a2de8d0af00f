#!/usr/bin/env node
// The wf-sim command. The package ships TypeScript and runs it through tsx (no
// build step), which also lets users pass adapters written in TypeScript.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
