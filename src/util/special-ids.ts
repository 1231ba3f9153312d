/**
 * The ids of the special tokens, fixed for every vocabulary, model and search: padding is 0 so a
 * zero-filled batch is all padding; `<s>` starts every target and `</s>` ends it.
 */
export const PAD_ID = 0;
export const UNK_ID = 1;
export const BOS_ID = 2;
export const EOS_ID = 3;
