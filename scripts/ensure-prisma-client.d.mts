export function ensurePrismaClient(): void;
