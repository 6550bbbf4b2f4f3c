import path from 'node:path';

/** The repository's prisma/ folder (this file sits at packages/db/{src,dist}/paths). */
export const prismaDir = path.resolve(__dirname, '../../../prisma');
