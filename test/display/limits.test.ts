/** The kernel side of the output limits: the builders refuse, before copying any values, saying what to send instead. */
import { describe, expect, it } from 'vitest';
import { tensorPayload } from '../../src/display/tensorImages.js';
import { PayloadError } from '@losslens/protocol';
import { tf } from '../../src/tf.js';

describe('tensorPayload over the limits', () => {
  it('refuses more values than an output may hold and names maxImages', () => {
    const images = tf.zeros([3000, 28, 28]);
    try {
      expect(tensorPayload({ panels: [{ title: 'a', images }], maxImages: 2551 }).captions).toHaveLength(2551);
      expect(() => tensorPayload({ panels: [{ title: 'a', images, loss: images }], maxImages: 2551 })).toThrow(PayloadError);
      expect(() => tensorPayload({ panels: [{ title: 'a', images }], maxImages: 3000 })).toThrow(
        'panels holds 2,352,000 Float32 values (images × height × width, values and loss, over every panel); ' +
          'a losslens output holds at most 2,000,000: show fewer images (maxImages), fewer panels or smaller images',
      );
    } finally {
      images.dispose();
    }
  });

  it('refuses more panels than an output may hold', () => {
    const images = tf.zeros([1, 2, 2]);
    try {
      expect(() => tensorPayload({ panels: Array.from({ length: 17 }, (_, i) => ({ title: `p${i}`, images })) })).toThrow(
        'panels holds 17 panels; a losslens output holds at most 16: split them over several outputs',
      );
    } finally {
      images.dispose();
    }
  });
});
