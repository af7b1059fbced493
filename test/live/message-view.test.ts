import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderMessage, sanitizeMessageHtml } from '../../src/live/index.js';

describe('sanitizeMessageHtml', () => {
  const cases: [string, string, string][] = [
    ['a script', '<p>hi</p><script>alert(1)</script>', '<p>hi</p>'],
    ['a style sheet', '<style>body{background:url(https://t.example/x)}</style><p>x</p>', '<p>x</p>'],
    ['an event handler', '<p onmouseover="x()">x</p>', '<p>x</p>'],
    ['a remote image', '<img src="http://t.example/p.gif" width="1">', '<img width="1" />'],
    ['a protocol-relative image', '<img src="//t.example/p.gif">', '<img />'],
    [
      'an inline image (kept)',
      '<img src="data:image/png;base64,AAAA">',
      '<img src="data:image/png;base64,AAAA" />',
    ],
    ['a frame', '<iframe src="https://e.example"></iframe><frame src="x">', ''],
    ['a form', '<form action="https://e.example"><input name="pw"></form>', ''],
    ['an inline style', '<div style="background-image:url(https://t.example/)">x</div>', '<div>x</div>'],
    [
      'a javascript: link',
      '<a href="javascript:alert(1)">x</a>',
      '<a rel="noopener noreferrer nofollow" target="_blank">x</a>',
    ],
    [
      'a background attribute',
      '<table background="https://t.example/bg"><tr><td>x</td></tr></table>',
      '<table><tr><td>x</td></tr></table>',
    ],
    ['an svg', '<svg onload="x()"><image href="https://t.example/"/></svg>', ''],
    ['a meta refresh', '<meta http-equiv="refresh" content="0;url=https://e.example">', ''],
    ['a link tag', '<link rel="stylesheet" href="https://t.example/s.css">', ''],
  ];
  for (const [what, input, output] of cases) {
    it(`removes ${what}`, () => {
      assert.equal(sanitizeMessageHtml(input), output);
    });
  }
});

describe('renderMessage', () => {
  it('decodes RFC 2047 headers, keeps the text, lists attachments', async () => {
    const msg = [
      'From: =?iso-8859-1?Q?Andr=E9?= <andre@example.net>',
      'Subject: =?utf-8?Q?caf=C3=A9?=',
      'Content-Type: multipart/mixed; boundary=b',
      '',
      '--b',
      'Content-Type: text/plain',
      '',
      'hello',
      '--b',
      'Content-Type: text/csv; name=data.csv',
      'Content-Disposition: attachment; filename=data.csv',
      '',
      'a,b',
      '--b--',
      '',
    ].join('\r\n');
    const r = await renderMessage(Buffer.from(msg));
    assert.deepEqual(r.headers.slice(0, 2), [
      { name: 'From', value: 'André <andre@example.net>' },
      { name: 'Subject', value: 'café' },
    ]);
    assert.equal(r.text?.trim(), 'hello');
    assert.equal(r.html, null);
    assert.deepEqual(r.attachments, [{ name: 'data.csv', contentType: 'text/csv', size: 3 }]);
  });
});
