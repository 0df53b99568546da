// report.html as a person sees it, in headless Chromium (Debian's `chromium`, driven by
// playwright-core; no browser is ever downloaded): the cells, a silent failure's colour and its
// diagnostics on hover and click, no console errors, no network request at all, print.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type BrowserContext, type Page } from 'playwright-core'
import t from 'tap'
import { reportHtml } from '../../reports/html/report-html.ts'
import { EVIL_CONFIG, EVIL_FOUND, EVIL_ID, evilResults } from '../helpers/html-fixtures.ts'

const CHROMIUM = '/usr/bin/chromium'
const ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
]
/** Okabe-Ito vermillion, the silent failure's background. */
const VERMILLION = 'rgb(213, 94, 0)'

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

  t.test('a silent failure\'s cell is vermillion with a "!"; hovering it shows its diagnostics', async (t) => {
    const cell = page.locator('#heatmap tr', { has: page.locator('th.check', { hasText: /^chown\/new-owner\/root$/ }) }).locator('button.cell').first()
    t.equal(await cell.evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor), VERMILLION)
    t.equal(await cell.textContent(), '!')
    t.equal(await page.locator('#detail').isVisible(), false, 'no panel before')
    await cell.hover()
    t.equal(await page.locator('#detail').isVisible(), true)
    t.equal(await page.locator('#detail-title').textContent(), '9p-none-mmap · chown/new-owner/root')
    t.equal(await page.locator('#detail-state').textContent(), 'silent fail')
    const rows = await page.locator('#detail-rows').evaluate((dl) => [...dl.children].map((c) => c.textContent))
    t.same(rows, ['op', 'lstat', 'args', 'chown/8-file uid,gid', 'wanted', '0,0', 'found', '1000,1000', 'stage', 'call', 'class', 'silent', 'host truth', '(no host bridge answer)'])
  })

  t.test('a click pins the details (hovering elsewhere keeps them); Escape closes', async (t) => {
    const evil = page.locator('#heatmap tr', { has: page.locator('th.check', { hasText: EVIL_ID }) }).locator('button.cell.s-silent')
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
    await page.locator('#heatmap button.cell.s-silent').first().click()
    const png = join(dir, 'report.png')
    await page.screenshot({ path: png, fullPage: false })
    t.ok(existsSync(png))
    t.comment(`screenshot: ${png} (the temp dir is kept; remove it when done)`)
  })

  t.test('no console errors (a CSP refusal would be one), and no network request but the page itself', async (t) => {
    t.same(consoleErrors, [])
    t.same([...new Set(requests)], [pageUrl])
  })
}
