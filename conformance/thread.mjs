// Entry of a conformance thread: TypeScript (the kit's and the adapter's) runs through tsx, as in the command.
import { register } from 'tsx/esm/api';

register();
await import('./thread-main.ts');
