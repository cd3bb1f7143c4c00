type LocalLm = typeof import("@dspy-connect/local-lm");

/** @dspy-connect/local-lm if the app installed it (an optional peer). */
export async function importLocalLm(): Promise<LocalLm | undefined> {
  try {
    return (await import("@dspy-connect/local-lm")) as LocalLm;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ERR_MODULE_NOT_FOUND" || code === "MODULE_NOT_FOUND") return undefined;
    throw error;
  }
}

export const LOCAL_LM_INSTALL = "npm install @dspy-connect/local-lm";
