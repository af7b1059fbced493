import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldToken, stem } from '../../src/search/stem.js';

/** Words and their Porter2 stems, from the Snowball English sample vocabulary. */
const VOCABULARY = `consign consign consigned consign consigning consign consignment consign
consist consist consisted consist consistency consist consistent consist consistently consist
consisting consist consists consist consolation consol consolations consol consolatory consolatori
console consol consoled consol consoles consol consolidate consolid consolidated consolid
consolidating consolid consoling consol consolingly consol consols consol consonant conson
consort consort consorted consort consorting consort conspicuous conspicu conspicuously conspicu
conspiracy conspiraci conspirator conspir conspirators conspir conspire conspir conspired conspir
conspiring conspir constable constabl constables constabl constance constanc constancy constanc
constant constant knack knack knackeries knackeri knacks knack knag knag knave knave knaves knave
knavish knavish kneaded knead kneading knead knee knee kneel kneel kneeled kneel kneeling kneel
kneels kneel knees knee knell knell knelt knelt knew knew knick knick knif knif knife knife
knight knight knightly knight knights knight knit knit knits knit knitted knit knitting knit
knives knive knob knob knobs knob knock knock knocked knock knocker knocker knockers knocker
knocking knock knocks knock knopp knopp knot knot knots knot
skies sky dying die news news gently gentl inning inning innings inning succeeded succeed
generously generous communication communic arsenal arsenal cries cri ties tie gas gas gaps gap
kiwis kiwi hopping hop hoping hope meeting meet meetings meet capacity capac trading trade
revision revis revised revis conference confer`
  .trim()
  .split(/\s+/);

describe('stem (Porter2)', () => {
  for (let i = 0; i < VOCABULARY.length; i += 2) {
    const [word, expected] = [VOCABULARY[i]!, VOCABULARY[i + 1]!];
    it(`${word} → ${expected}`, () => {
      assert.equal(stem(word), expected);
    });
  }

  it('leaves short words, numbers and other scripts alone', () => {
    for (const w of ['as', '2001', 'x86', 'sally_beck', 'résumé', 'москва']) {
      assert.equal(stem(w), w);
    }
  });

  it('folds tokens as unicode61 remove_diacritics 2 does', () => {
    assert.equal(foldToken('RÉSUMÉ'), 'resume');
    assert.equal(foldToken('Ångström'), 'angstrom');
  });
});
