// The operation lines of a `.sched` file written straight into bytes: the digits of each field go into a reused
// buffer, so streaming hundreds of millions of lines makes no string per line (opLine's text, byte for byte; a test
// compares the two). Grammar: src/memory/scheduleFile.ts.
import type { MemoryOp } from './schedule.js';

/** Bytes handed to the sink at a time. */
const CHUNK_BYTES = 1 << 20;
/** The longest line: ten fields of at most 16 digits and a sign, and the keywords. */
const MAX_LINE_BYTES = 256;

const ascii = (text: string): Uint8Array => Uint8Array.from(text, (c) => c.charCodeAt(0));
const WORD = ascii(' word=');
const BIT = ascii(' bit=');
const BLK = ascii(' blk=');
const AT = ascii(' at=');
const OUT = ascii(' out=');
const ACTIVE = ascii(' active=');
const KIND = { W: ascii(' W '), C: ascii(' C'), R: ascii(' R '), Z: ascii(' Z ') };

/** Writes opLine(op) + '\n' for every op given to `line`, to `sink` in chunks of about CHUNK_BYTES (the chunk is reused after the call). */
export class OpLineWriter {
  private readonly buffer = new Uint8Array(CHUNK_BYTES + MAX_LINE_BYTES);
  private readonly digits = new Uint8Array(24);
  private at = 0;

  constructor(private readonly sink: (chunk: Uint8Array) => void) {}

  line(o: Readonly<MemoryOp>): void {
    this.int(o.t);
    this.bytes(KIND[o.op]);
    switch (o.op) {
      case 'W':
        this.pixel(o.y, o.x);
        this.words(o);
        break;
      case 'C':
        this.bytes(BLK);
        this.int(o.block!);
        this.bytes(OUT);
        this.pixel(o.y, o.x);
        this.bytes(ACTIVE);
        this.int(o.active!);
        break;
      case 'R':
        this.pixel(o.y, o.x);
        this.words(o);
        this.region(o);
        break;
      case 'Z':
        this.pixel(o.y, o.x);
        this.region(o);
        break;
    }
    this.buffer[this.at++] = 10;
    if (this.at >= CHUNK_BYTES) this.flush();
  }

  /** Hands the bytes written so far to the sink. */
  flush(): void {
    if (this.at > 0) this.sink(this.buffer.subarray(0, this.at));
    this.at = 0;
  }

  private pixel(y: number, x: number): void {
    this.int(y);
    this.buffer[this.at++] = 44;
    this.int(x);
  }

  private words(o: Readonly<MemoryOp>): void {
    this.bytes(WORD);
    this.int(o.word!);
    if (o.lastWord !== o.word) {
      this.buffer[this.at++] = 46;
      this.buffer[this.at++] = 46;
      this.int(o.lastWord!);
    }
    this.bytes(BIT);
    this.int(o.bit!);
  }

  private region(o: Readonly<MemoryOp>): void {
    this.bytes(BLK);
    this.int(o.block!);
    this.bytes(AT);
    this.pixel(o.dy!, o.dx!);
  }

  private bytes(b: Uint8Array): void {
    // A loop: for keywords of a few bytes it is faster than set().
    for (let i = 0; i < b.length; i++) this.buffer[this.at++] = b[i];
  }

  /** A safe integer in decimal, as String(n) writes it. */
  private int(n: number): void {
    if (n < 0) {
      this.buffer[this.at++] = 45;
      n = -n;
    }
    let count = 0;
    do {
      this.digits[count++] = 48 + (n % 10);
      n = Math.floor(n / 10);
    } while (n > 0);
    while (count > 0) this.buffer[this.at++] = this.digits[--count];
  }
}
