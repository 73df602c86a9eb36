#!/usr/bin/env node
/** Entry of the `flask-perf` command (dist/cli.js). */
import { cliMain } from './cli/main.js';

process.exitCode = await cliMain(process.argv.slice(2));
