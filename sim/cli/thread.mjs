// Entry of a campaign thread: TypeScript runs through tsx, as in the CLI.
import { register } from 'tsx/esm/api';

register();
await import('./thread-main.ts');
