// A worker's memory over many calls with large inputs and over many sessions opened and
// closed (issue 12): bench/memory.py drives one worker over its socket and prints the tables.
import { benchEnv, python, root, run } from "./lib.ts";

const args = process.argv.slice(2);
console.log(await run(python, [`${root}/bench/memory.py`, ...args], benchEnv));
