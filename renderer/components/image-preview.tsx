/**
 * An image found in arguments or results. Local data is shown at once; a remote URL is
 * fetched only after the person clicks "Load image", so opening the popup never tells a
 * third party that somebody is looking.
 */
import { useState } from 'react';
import { formatBytes } from '../lib/format.ts';
import type { ImageValue } from '../lib/images.ts';

export function ImagePreview({ image, label }: { image: ImageValue; label: string }) {
  const [loaded, setLoaded] = useState(false);
  const [large, setLarge] = useState(false);
  if (image.kind === 'cut') {
    return (
      <span className="image-cut muted">
        {image.mime.replace('image/', '').toUpperCase()} image, not kept in full ({image.length.toLocaleString()} characters)
      </span>
    );
  }
  if (image.kind === 'remote' && !loaded) {
    return (
      <div className="image-remote">
        <span className="mono url" title={image.url}>
          {image.url}
        </span>
        <button type="button" className="btn btn-small" onClick={() => setLoaded(true)}>
          Load image
        </button>
      </div>
    );
  }
  const src = image.kind === 'remote' ? image.url : image.src;
  return (
    <figure className={`image-preview${large ? ' is-large' : ''}`}>
      <button type="button" className="image-button" onClick={() => setLarge((v) => !v)} aria-label={`${large ? 'Shrink' : 'Enlarge'} ${label}`} aria-pressed={large}>
        <img src={src} alt={label} referrerPolicy="no-referrer" decoding="async" />
      </button>
      <figcaption>{image.kind === 'data' ? `${image.mime.replace('image/', '').toUpperCase()} · ${formatBytes(image.bytes)}` : image.url}</figcaption>
    </figure>
  );
}
