import { describe, expect, it } from '@jest/globals'
import { emptyPublishReport } from '../../src/publish/publish.js'
import { newJournal } from '../../src/report/journal.js'
import { failureMarkdown } from '../../src/report/report.js'

describe('failureMarkdown', () => {
  it('before any write: says where it stopped and that nothing was written', () => {
    const j = newJournal()
    Object.assign(j, {
      stage: 'preflight',
      plugin: 'foo',
      version: '1.4.2',
      floating: ['1.4', 'latest']
    })
    const md = failureMarkdown(j, 'github-release needs contents: write')
    expect(md).toContain('## Falco plugin release failed: foo 1.4.2')
    expect(md).toContain('It stopped while checking access and files before the first write')
    expect(md).toContain('github-release needs contents: write')
    expect(md).toMatch(/### What was written\n\nNothing\. Every check that can refuse/)
    expect(md).toMatch(/floating tags \(`1\.4`, `latest`\): unchanged/)
    expect(md).toContain('re-run the job')
  })

  it('mid-publish: lists what the registry got, and the floating tags it did not', () => {
    const j = newJournal()
    j.stage = 'publish'
    j.floating = ['1', 'latest']
    j.publish = emptyPublishReport()
    j.publish.blobsUploaded = 3
    j.publish.bytesUploaded = 1234
    j.publish.manifestsWritten = 2
    j.publish.tags.push({ ref: 'r/plugin/foo', tag: '1.4.2', digest: 'sha256:a', written: true })
    const md = failureMarkdown(j, 'HTTP 503')
    expect(md).toContain('It stopped while pushing to the registry')
    expect(md).toContain('- registry: 3 blob(s) (1234 bytes) and 2 manifest(s) by digest')
    expect(md).toContain('- registry tag `r/plugin/foo:1.4.2`')
    expect(md).toMatch(/floating tags \(`1`, `latest`\): unchanged/)
    expect(md).toContain('- index.yaml')
  })

  it('keeps the error inside its code block, whatever it holds', () => {
    const md = failureMarkdown(newJournal(), 'bad\n```\n## injected')
    expect(md).toContain('````text\nbad\n```\n## injected\n````')
  })
})
