export function ensurePrismaClient(options?: { force?: boolean }): void;
