import { readFile } from 'node:fs/promises';

/** A file's text; a failure names the file as the user gave it (EISDIR comes without a path). */
export async function readText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if (error instanceof Error && 'code' in error) Object.assign(error, { path });
    throw error;
  }
}
