/**
 * Instant search over the user's own dumpster, in the browser with lunr: the list is small and
 * already here, so no keystroke goes to the server. Every word must match the start of a word
 * in the subject, sender, recipients or folder ("bud rep" finds "Budget report"). No stemming:
 * a prefix of what is typed must stay a prefix of what is indexed.
 */
import lunr from 'lunr';

export interface Findable {
  id: number;
  subject: string;
  from: string;
  to?: string;
  folder: string;
}

/** Addresses and paths become words: `sally.beck@enron.com` → `sally beck enron com`. */
const words = (s: string): string => s.replace(/[.@_<>"'/()[\],;:]+/g, ' ');

export class Finder {
  private readonly index: lunr.Index;

  constructor(items: readonly Findable[]) {
    this.index = lunr(function () {
      this.pipeline.remove(lunr.stemmer);
      this.pipeline.remove(lunr.stopWordFilter);
      this.searchPipeline.remove(lunr.stemmer);
      this.ref('id');
      this.field('subject', { boost: 3 });
      this.field('from', { boost: 2 });
      this.field('to');
      this.field('folder');
      for (const it of items) {
        this.add({
          id: String(it.id),
          subject: it.subject,
          from: words(it.from),
          to: words(it.to ?? ''),
          folder: words(it.folder),
        });
      }
    });
  }

  /** Ids of the items matching every word of `text`, best first; undefined when `text` has no words. */
  find(text: string): number[] | undefined {
    const terms = lunr
      .tokenizer(words(text))
      .map((t) => lunr.trimmer(t).toString().toLowerCase())
      .filter((t) => t !== '');
    if (terms.length === 0) {
      return undefined;
    }
    return this.index
      .query((q) => {
        for (const term of terms) {
          q.term(term, {
            wildcard: lunr.Query.wildcard.TRAILING,
            presence: lunr.Query.presence.REQUIRED,
            usePipeline: false,
          });
        }
      })
      .map((r) => Number(r.ref));
  }
}
