import { describe, expect, it } from '@jest/globals'
import { pagesUrl, rawFileUrl } from '../../src/github/pages.js'

describe('pagesUrl', () => {
  it('serves project sites under the repository name, with a lower-case host', () => {
    expect(pagesUrl('Acme-Sec', 'falco-plugins', 'index.yaml')).toBe(
      'https://acme-sec.github.io/falco-plugins/index.yaml'
    )
    expect(pagesUrl('acme', 'plugins', 'falco/index.yaml')).toBe(
      'https://acme.github.io/plugins/falco/index.yaml'
    )
  })

  it('serves the <owner>.github.io repository at the root', () => {
    expect(pagesUrl('Acme', 'acme.github.io', 'index.yaml')).toBe(
      'https://acme.github.io/index.yaml'
    )
    expect(pagesUrl('Acme', 'Acme.github.io', 'index.yaml')).toBe(
      'https://acme.github.io/index.yaml'
    )
  })
})

describe('rawFileUrl', () => {
  it('uses raw.githubusercontent.com on github.com', () => {
    expect(rawFileUrl('https://api.github.com', 'Acme', 'p', 'gh-pages', 'index.yaml')).toBe(
      'https://raw.githubusercontent.com/Acme/p/gh-pages/index.yaml'
    )
  })

  it('uses /raw/ on GitHub Enterprise Server', () => {
    expect(rawFileUrl('https://ghe.example/api/v3', 'o', 'p', 'pages/index', 'a b.yaml')).toBe(
      'https://ghe.example/o/p/raw/pages/index/a%20b.yaml'
    )
  })
})
