import { DatabaseSync } from "node:sqlite";
import { defineTool } from "@dspy-connect/tools";
import { z } from "zod";

/** A small SQLite database of cities, in memory. */
export function openCities(): DatabaseSync {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE cities (name TEXT PRIMARY KEY, country TEXT, population INTEGER)");
  const insert = db.prepare("INSERT INTO cities VALUES (?, ?, ?)");
  for (const row of [
    ["Paris", "France", 2102650],
    ["Lyon", "France", 522250],
    ["Berlin", "Germany", 3596999],
    ["Madrid", "Spain", 3332035],
    ["Rome", "Italy", 2754719],
  ] as const) {
    insert.run(...row);
  }
  return db;
}

/**
 * The agent's TypeScript tool: a parameterised query, never SQL from the model. It streams
 * one sentence per matching row, so the page shows the tool's output as it is produced
 * (each chunk is a `tool_output` event; the agent observes them joined).
 */
export function cityFacts(db: DatabaseSync) {
  const byName = db.prepare("SELECT name, country, population FROM cities WHERE instr(lower(?), lower(name)) > 0 ORDER BY name");
  const names = db.prepare("SELECT name FROM cities ORDER BY name");
  return defineTool({
    name: "city_facts",
    description: "Country and population of the cities named, from the cities database.",
    input: z.object({ city: z.string().describe("the city's name") }),
    timeoutMs: 5_000,
    async *execute({ city }) {
      const rows = byName.all(city) as { name: string; country: string; population: number }[];
      if (!rows.length) {
        yield `no city matches ${JSON.stringify(city)}; the database has ${names
          .all()
          .map((r) => r.name)
          .join(", ")}.`;
        return;
      }
      for (const [i, r] of rows.entries()) {
        // Sentences, not JSON rows: a small model copies a fact from a sentence far more reliably.
        yield `${i ? " " : ""}${r.name} is a city in ${r.country} with ${r.population.toLocaleString("en-US")} inhabitants.`;
      }
    },
  });
}
