// report.html as a person sees it, in headless Chromium (Debian's `chromium`, driven by
// playwright-core; no browser is ever downloaded): the cells, a silent failure's colour and its
// diagnostics on hover and click, known deviations that fail silently and loud told apart in
// the rendered pixels, no console errors, no network request at all, print.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import t from 'tap'
import { reportHtml } from '../../reports/html/report-html.ts'
import { EVIL_CONFIG, EVIL_FOUND, EVIL_ID, evilResults, KNOWN_LOUD_ID, KNOWN_SILENT_ID } from '../helpers/html-fixtures.ts'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]
/** Okabe-Ito vermillion, the silent failure's background. */
const VERMILLION = 'rgb(213, 94, 0)'
/** Okabe-Ito yellow, the loud failure's background. */
const YELLOW = 'rgb(240, 228, 66)'

type Rgb = [number, number, number]
const rgb = (css: string): Rgb => css.match(/\d+/g)!.slice(0, 3).map(Number) as Rgb
const near = (a: Rgb, b: Rgb, by = 40) => a.every((v, i) => Math.abs(v - b[i]!) <= by)
/** What a cell's rendered pixels hold: its base colour, the known mark's lighter stripes (the base mixed with white), its black corner. */
interface Pixels { base: number; stripes: number; black: number; otherVerdict: number; total: number }

if (!existsSync(CHROMIUM)) {
  t.plan(0, `${CHROMIUM} is missing (Debian package chromium; .ci/install-deps installs it)`)
} else {
  const dir = mkdtempSync(join(tmpdir(), 'limafs-html-browser-'))
  const results = evilResults()
  const file = join(dir, 'report.html')
  writeFileSync(file, reportHtml(results))
  const pageUrl = pathToFileURL(file).href
  const requests: string[] = []
  const consoleErrors: string[] = []
  const dialogs: string[] = []
  let context: BrowserContext
  let page: Page

  t.before(async () => {
    // A fresh profile each run (playwright passes it as --user-data-dir).
    context = await chromium.launchPersistentContext(join(dir, 'profile'), { executablePath: CHROMIUM, headless: true, args: ARGS, viewport: { width: 1400, height: 900 } })
    context.on('request', (r) => requests.push(r.url()))
    page = context.pages()[0] ?? (await context.newPage())
    page.on('console', (m) => m.type() === 'error' && consoleErrors.push(m.text()))
    page.on('pageerror', (e) => consoleErrors.push(e.message))
    page.on('dialog', async (d) => {
      dialogs.push(d.message())
      await d.dismiss()
    })
    await page.goto(pageUrl)
  })
  t.teardown(async () => {
    await context?.close()
    if (!process.env.LIMAFS_KEEP_SCREENSHOT) rmSync(join(dir, 'profile'), { recursive: true, force: true })
  })

  t.test('the heat map shows a cell per check x config, a button for each check a config ran', async (t) => {
    const ids = new Set(results.configs.flatMap((c) => c.checks.map((k) => k.id)))
    t.equal(await page.locator('#heatmap .cell').count(), ids.size * results.configs.length)
    t.equal(await page.locator('#heatmap button.cell').count(), results.configs.reduce((n, c) => n + c.checks.length, 0))
    t.equal(await page.locator('#heatmap th.check').count(), ids.size)
  })

  /** A screenshot of one element, its pixels read back through a canvas in a blank page of the same browser. */
  async function pixelsOf(locator: ReturnType<Page['locator']>, base: string, other: string): Promise<Pixels> {
    const png = await locator.screenshot()
    const blank = await context.newPage()
    try {
      // (a string: this file has no DOM types; it runs in the page)
      const data = await blank.evaluate<number[]>(`(async () => {
        const img = new Image()
        img.src = 'data:image/png;base64,${png.toString('base64')}'
        await img.decode()
        const canvas = document.createElement('canvas')
        canvas.width = img.width
        canvas.height = img.height
        const ctx = canvas.getContext('2d')
        ctx.drawImage(img, 0, 0)
        return Array.from(ctx.getImageData(0, 0, img.width, img.height).data)
      })()`)
      const b = rgb(base)
      const o = rgb(other)
      const stripe = b.map((v) => Math.round(v + (255 - v) * 0.6)) as Rgb
      const counts: Pixels = { base: 0, stripes: 0, black: 0, otherVerdict: 0, total: data.length / 4 }
      for (let i = 0; i < data.length; i += 4) {
        const p: Rgb = [data[i]!, data[i + 1]!, data[i + 2]!]
        if (near(p, b)) counts.base++
        else if (near(p, stripe, 30)) counts.stripes++
        else if (near(p, [0, 0, 0], 30)) counts.black++
        if (near(p, o)) counts.otherVerdict++
      }
      return counts
    } finally {
      await blank.close()
    }
  }

  const cellOf = (id: string, config = EVIL_CONFIG) => {
    const column = results.configs.findIndex((c) => c.name === config)
    return page.locator('#heatmap tr', { has: page.locator('th.check', { hasText: new RegExp(`^${id.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}$`) }) }).locator('td').nth(column).locator('.cell')
  }

  t.test('known deviations keep their verdict: a silent one is vermillion, a loud one yellow, both striped with a corner mark (pixels and styles)', async (t) => {
    const knownSilent = cellOf(KNOWN_SILENT_ID)
    const knownLoud = cellOf(KNOWN_LOUD_ID)
    const plainSilent = cellOf(EVIL_ID)
    t.equal(await knownSilent.getAttribute('class'), 'cell s-silent known')
    t.equal(await knownLoud.getAttribute('class'), 'cell s-loud known')
    t.equal(await knownSilent.textContent(), '!', 'the glyph is the verdict\'s')
    t.equal(await knownLoud.textContent(), '✗')
    const style = (l: typeof knownSilent, pseudo?: string) => l.evaluate((el, p) => {
      const s = el.ownerDocument.defaultView!.getComputedStyle(el, p)
      return { bg: s.backgroundColor, image: s.backgroundImage, corner: s.borderRightColor, content: s.content }
    }, pseudo ?? null)
    const [silentStyle, loudStyle, plainStyle] = [await style(knownSilent), await style(knownLoud), await style(plainSilent)]
    t.equal(silentStyle.bg, VERMILLION)
    t.equal(loudStyle.bg, YELLOW)
    t.match(silentStyle.image, /repeating-linear-gradient/, 'the known mark\'s stripes')
    t.equal(plainStyle.image, 'none', 'a failure the matrix does not expect has no stripes')
    t.equal((await style(knownSilent, '::after')).corner, 'rgb(0, 0, 0)', 'and a black corner')

    const silentPx = await pixelsOf(knownSilent, VERMILLION, YELLOW)
    const loudPx = await pixelsOf(knownLoud, YELLOW, VERMILLION)
    const plainPx = await pixelsOf(plainSilent, VERMILLION, YELLOW)
    t.comment(`pixels: known silent ${JSON.stringify(silentPx)}, known loud ${JSON.stringify(loudPx)}, silent ${JSON.stringify(plainPx)}`)
    t.ok(silentPx.base > silentPx.total / 4, 'the known silent cell is mostly vermillion on screen')
    t.equal(silentPx.otherVerdict, 0, '... with no yellow in it')
    t.ok(loudPx.base > loudPx.total / 4, 'the known loud cell is mostly yellow')
    t.equal(loudPx.otherVerdict, 0, '... with no vermillion in it')
    t.ok(silentPx.stripes > silentPx.total / 10 && loudPx.stripes > loudPx.total / 10, 'both show the lighter stripes')
    t.ok(silentPx.black > plainPx.black + 10 && loudPx.black > plainPx.black + 10, 'both show the black corner (more black than the glyph alone)')
    t.ok(plainPx.stripes < plainPx.total / 50, 'an unexpected silent failure shows no stripes')
    const png = join(dir, 'known-cells.png')
    await page.locator('#heatmap').locator('tr', { has: page.locator('th.check', { hasText: KNOWN_LOUD_ID }) }).screenshot({ path: png })
    t.comment(`the row with the known loud cell: ${png}`)
  })

  t.test('a silent failure\'s cell is vermillion with a "!"; hovering it shows its diagnostics', async (t) => {
    const cell = page.locator('#heatmap tr', { has: page.locator('th.check', { hasText: /^chown\/new-owner\/root$/ }) }).locator('button.cell').first()
    t.equal(await cell.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor), VERMILLION)
    t.equal(await cell.textContent(), '!')
    t.equal(await page.locator('#detail').isVisible(), false, 'no panel before')
    await cell.hover()
    t.equal(await page.locator('#detail').isVisible(), true)
    t.equal(await page.locator('#detail-title').textContent(), '9p-none-mmap · chown/new-owner/root')
    t.equal(await page.locator('#detail-state').textContent(), 'fails silently')
    const rows = await page.locator('#detail-rows').evaluate((dl) => [...dl.children].map((c) => c.textContent))
    t.same(rows, ['op', 'lstat', 'args', 'chown/8-file uid,gid', 'wanted', '0,0', 'found', '1000,1000', 'stage', 'call', 'class', 'silent', 'host truth', '(no host bridge answer)'])
  })

  t.test('a click pins the details (hovering elsewhere keeps them); Escape closes', async (t) => {
    const evil = cellOf(EVIL_ID)
    await evil.click()
    t.equal(await page.locator('#detail-title').textContent(), `${EVIL_CONFIG} · ${EVIL_ID}`, 'markup in a config name and check id shows as text')
    await page.locator('#heatmap button.cell.s-ok').first().hover()
    t.equal(await page.locator('#detail-title').textContent(), `${EVIL_CONFIG} · ${EVIL_ID}`, 'still pinned')
    const text = await page.locator('#detail-rows').textContent()
    t.match(text, `found${EVIL_FOUND}`)
    t.match(text, 'host truth<u>p</u>: file xattrs{user.<x>=3c}')
    await page.keyboard.press('Escape')
    t.equal(await page.locator('#detail').isVisible(), false)
  })

  t.test('nothing from the data became markup or ran: no injected elements, no dialogs', async (t) => {
    t.equal(await page.locator('#heatmap th.check', { hasText: EVIL_ID }).textContent(), EVIL_ID)
    t.equal(await page.locator('img, iframe, object, embed').count(), 0)
    t.equal(await page.locator('script').count(), 2, 'the page\'s own data and code only')
    t.same(dialogs, [])
  })

  t.test('printed: the details panel is gone, the heat map and the written-out failures are there in colour', async (t) => {
    await page.emulateMedia({ media: 'print' })
    t.equal(await page.locator('#detail').evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).display), 'none')
    t.equal(await page.locator('#heatmap').isVisible(), true)
    t.equal(await page.locator('#silent + p + .scroll table').isVisible(), true)
    t.equal(await page.locator('#heatmap button.cell.s-silent').first().evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor), VERMILLION)
    // On a narrow page, a table wider than the page is scaled to fit when printing, not cut off.
    await page.setViewportSize({ width: 300, height: 900 })
    await page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
    const zoom = await page.evaluate<string>("document.getElementById('heatmap').style.zoom")
    t.ok(Number(zoom) > 0 && Number(zoom) < 1, `the heat map is scaled down (zoom ${zoom})`)
    const fits = await page.locator('#heatmap').evaluate((el) => el.getBoundingClientRect().width <= el.parentElement!.clientWidth + 1)
    t.ok(fits, 'and fits the page width')
    await page.evaluate("window.dispatchEvent(new Event('afterprint'))")
    t.equal(await page.evaluate<string>("document.getElementById('heatmap').style.zoom"), '', 'back to its size after printing')
    await page.setViewportSize({ width: 1400, height: 900 })
    await page.emulateMedia({ media: 'screen' })
  })

  t.test('a screenshot, for a person to look at', async (t) => {
    const top = join(dir, 'report-top.png')
    await page.screenshot({ path: top, fullPage: false })
    // The legend and the first heat-map rows, a known silent and a known loud cell among them.
    await cellOf(KNOWN_SILENT_ID).scrollIntoViewIfNeeded()
    await cellOf(KNOWN_SILENT_ID).click()
    const png = join(dir, 'report.png')
    await page.screenshot({ path: png, fullPage: false })
    t.ok(existsSync(top) && existsSync(png))
    t.comment(`screenshots: ${top}, ${png} (the temp dir is kept; remove it when done)`)
  })

  t.test('no console errors (a CSP refusal would be one), and no network request but the page itself', async (t) => {
    t.same(consoleErrors, [])
    t.same([...new Set(requests)], [pageUrl])
  })
}
