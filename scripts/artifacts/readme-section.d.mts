export interface FencedBlock {
  readonly lang: string;
  readonly code: string;
  readonly annotation: string | undefined;
  readonly line: number;
}
export function fencedBlocks(markdown: string): FencedBlock[];
export function installSection(readme: string): {
  blocks: { lang: string; code: string; file: string | undefined }[];
  expectedOutput: string | undefined;
};
