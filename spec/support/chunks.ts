/** The UTF-8 bytes of `text`, one Buffer per byte: the worst chunking a peer can send. */
export const oneBytePerChunk = (text: string): Buffer[] => [...Buffer.from(text, 'utf8')].map((byte) => Buffer.from([byte]));
