import { it } from 'vitest';
import { maskPersonalData } from '../src/core/mask';
it('x', () => { for (const t of ['a'.repeat(50_000), 'é'.repeat(50_000), 'a'.repeat(50_000) + '@' + 'b'.repeat(50_000)]) { const s = Date.now(); maskPersonalData(t); console.log('ms', Date.now() - s); } });
