import type { OperatorFunction } from 'rxjs';
import type { FramingDropReason } from '../../lib/log-lines/line-framer.js';
import { framingOperator } from '../../lib/operators/framing-operator.js';

/**
 * The simplest framing operator: each line as its text. What the specs of framing and
 * of sockets read chunks through.
 */
export function textLines<Passthrough = never>(
  maxLineBytes = 1024 * 1024,
  onDrop: (reason: FramingDropReason) => void = () => undefined,
): OperatorFunction<Buffer | Passthrough, string | Passthrough> {
  return framingOperator<Passthrough, string>(maxLineBytes, onDrop, (emit) => ({
    sink: (_bytes, start, end, text) => emit(text.text(start, end)),
  }));
}
