package org.trestle.console.tests;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.net.Socket;
import java.security.MessageDigest;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.time.Duration;
import java.util.List;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509ExtendedTrustManager;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Cookie;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The administrator's console as a person uses it, in a real browser (headless Chromium)
 * against the built server over HTTPS, with laptops that are the shipped command-line
 * client: signing in, the nodes, a conflict resolved, the health charts, updates, a scope
 * edited, a node revoked, and signing out. The tests run in order on one server.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ConsoleBrowserTest {

    private static final String ADMIN = "console-admin-" + Long.toHexString(System.nanoTime());
    private static final String KEY = "site-key";
    private static final List<String> PAGES = List.of("nodes", "conflicts", "errors", "health", "health.json", "updates",
            "assets/uPlot.iife.min.js");

    @TempDir
    static Path work;
    static Products products;
    static WebDriver browser;
    static String estimate;

    @BeforeAll
    static void start() throws Exception {
        File chromium = new File(System.getProperty("trestle.console.chromium", "/usr/bin/chromium"));
        File driver = new File(System.getProperty("trestle.console.chromedriver", "/usr/bin/chromedriver"));
        if (!chromium.canExecute() || !driver.canExecute()) {
            throw new IllegalStateException("the console tests need Chromium and its driver at " + chromium + " and " + driver
                    + ": apt-get install chromium chromium-driver (bin/test installs them)");
        }
        products = new Products(work, KEY, ADMIN);
        products.register("a", "LAPTOP-A", KEY);
        products.register("b", "LAPTOP-B", KEY);
        ChromeOptions options = new ChromeOptions().setBinary(chromium);
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1400,1000", "--lang=en-GB");
        options.setAcceptInsecureCerts(true); // the server's self-signed certificate, on loopback
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(driver).usingAnyFreePort().build(),
                options);
        browser.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(60));
    }

    @AfterAll
    static void stop() throws Exception {
        if (browser != null) {
            browser.quit();
        }
        if (products != null) {
            products.close();
        }
    }

    @Test
    @Order(1)
    void nothingOfTheConsoleAnswersWithoutSigningIn() throws Exception {
        for (String page : PAGES) {
            HttpResponse<String> answer = get(page, null);
            assertEquals(303, answer.statusCode(), page);
            assertEquals("/admin/sign-in", answer.headers().firstValue("Location").orElse(""), page);
        }
        browser.get(products.url + "/admin/nodes");
        assertEquals("Sign in", heading());
        assertTrue(browser.getCurrentUrl().endsWith("/admin/sign-in"));
    }

    @Test
    @Order(2)
    void signingInShowsALaptopThatHasJustSynchronized() throws Exception {
        products.put("a", "Project", "code=HB-01", "name=Harbour bridge", "budget=1250000.00");
        products.put("a", "Project", "code=RR-07", "name=Ring road", "budget=480000.00");
        products.laptop("a", "sync").ok();
        browser.get(products.url + "/admin/sign-in");
        signIn("not-the-token");
        assertTrue(problem().contains("not a valid admin token"), problem());
        signIn(ADMIN);
        assertEquals("Nodes", heading());
        WebElement row = browser.findElement(By.cssSelector("#nodes tr[data-code='LAPTOP-A']"));
        String text = row.getText();
        assertTrue(text.contains("just now"), text);
        assertFalse(text.contains("not yet known"), "the product and entity type versions it runs: " + text);
        assertTrue(text.contains("Project"), text);
        assertTrue(text.contains("Active"), text);
        Cookie session = browser.manage().getCookieNamed("trestle_console");
        assertNotNull(session);
        assertTrue(session.isHttpOnly() && session.isSecure(), "HttpOnly and Secure over HTTPS");
        assertEquals("Strict", session.getSameSite());
        assertNotNull(session.getExpiry(), "the session cookie expires");
        browser.findElement(By.id("q")).sendKeys("laptop-b");
        navigate(browser.findElement(By.cssSelector("form.filter button")));
        assertEquals("1 node", browser.findElement(By.id("node-count")).getText());
        browser.get(products.url + "/admin/nodes?sort=code&dir=desc");
        assertEquals("LAPTOP-B", browser.findElements(By.cssSelector("#nodes tbody tr")).get(0).getAttribute("data-code"));
    }

    @Test
    @Order(3)
    void aFormWithoutTheSessionsCheckChangesNothing() throws Exception {
        String cookie = "trestle_console=" + browser.manage().getCookieNamed("trestle_console").getValue();
        String id = nodeId("LAPTOP-A");
        HttpResponse<String> answer = http().send(HttpRequest.newBuilder(URI.create(products.url + "/admin/nodes/" + id
                + "/revoke")).header("Cookie", cookie).header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString("csrf=guessed")).build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(403, answer.statusCode());
        browser.navigate().refresh();
        assertTrue(browser.findElement(By.cssSelector("#nodes tr[data-code='LAPTOP-A']")).getText().contains("Active"));
    }

    @Test
    @Order(4)
    void aConflictResolvedInTheConsoleReachesTheLaptops() throws Exception {
        String project = products.laptop("a", "list", "Project").ok().out().lines().filter(l -> l.contains("\tHB-01\t"))
                .findFirst().orElseThrow().split("\t")[0];
        estimate = products.put("a", "Estimate", "project=" + project, "number=E-1", "title=Foundations");
        products.laptop("a", "sync").ok();
        products.laptop("b", "sync").ok();
        products.put("a", "Estimate", "--uuid", estimate, "title=Foundations (office A)");
        products.put("b", "Estimate", "--uuid", estimate, "title=Foundations (site B)");
        products.laptop("a", "sync").ok();
        products.laptop("b", "sync").ok();
        navigate(browser.findElement(By.linkText("Conflicts")));
        WebElement conflict = browser.findElement(By.cssSelector("section.conflict"));
        assertTrue(conflict.getText().contains("Estimate E-1"), conflict.getText());
        assertTrue(conflict.getText().contains("Laptop LAPTOP-B"), conflict.getText());
        assertTrue(conflict.getText().contains("HB-01 Harbour bridge"), "a reference by name: " + conflict.getText());
        screenshot("console-conflicts");
        conflict.findElement(By.cssSelector("input[name='a:title'][value='laptop']")).click();
        navigate(conflict.findElement(By.cssSelector("button[value='choice']")));
        assertTrue(notice().contains("resolved"), notice());
        assertTrue(browser.findElements(By.cssSelector("section.conflict")).isEmpty());
        products.laptop("a", "sync").ok();
        assertTrue(products.laptop("a", "list", "Estimate").ok().out().contains("Foundations (site B)"),
                "the decision reached laptop A");
    }

    @Test
    @Order(5)
    void healthIsChartedAndUpdatesSayWhoRunsWhat() throws Exception {
        navigate(browser.findElement(By.linkText("Health")));
        new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.findElements(By.cssSelector(".chart canvas")).size() == 4);
        assertTrue(browser.findElement(By.id("summary")).getText().contains("Exchanges in the period"));
        screenshot("console-health");
        navigate(browser.findElement(By.linkText("Updates")));
        String offers = browser.findElement(By.id("offers")).getText();
        assertTrue(offers.contains("Product") && offers.contains("org.trestle.workbench"), offers);
        String versions = browser.findElement(By.id("versions")).getText();
        assertTrue(versions.matches("(?s).*0\\.1\\.0\\.\\S+ 2 .*"), "both laptops run the built version: " + versions);
        screenshot("console-updates");
    }

    @Test
    @Order(6)
    void aScopeIsChosenByProjectCodeAndName() throws Exception {
        navigate(browser.findElement(By.linkText("Nodes")));
        navigate(browser.findElement(By.cssSelector("#nodes tr[data-code='LAPTOP-B'] a[href$='/scope']")));
        browser.findElement(By.id("scope-chosen")).click();
        browser.findElement(By.xpath("//label[contains(., 'HB-01 Harbour bridge')]/input")).click();
        screenshot("console-scope");
        navigate(browser.findElement(By.id("save-scope")));
        assertTrue(notice().contains("LAPTOP-B has its new scope"), notice());
        assertTrue(browser.findElement(By.cssSelector("#nodes tr[data-code='LAPTOP-B']")).getText().contains("HB-01 Harbour bridge"));
    }

    @Test
    @Order(7)
    void aRevokedLaptopsNextSyncIsRefused() throws Exception {
        products.laptop("b", "sync").ok();
        navigate(browser.findElement(By.cssSelector("#nodes tr[data-code='LAPTOP-B'] a.danger")));
        assertEquals("Revoke LAPTOP-B", heading());
        navigate(browser.findElement(By.id("confirm")));
        assertTrue(notice().contains("LAPTOP-B is revoked"), notice());
        WebElement row = browser.findElement(By.cssSelector("#nodes tr[data-code='LAPTOP-B']"));
        assertTrue(row.getText().contains("Revoked") && row.getText().contains("Release code"), row.getText());
        Products.Result refused = products.laptop("b", "sync");
        assertNotEquals(0, refused.exit(), "the revoked laptop cannot sync");
        assertTrue(refused.err().contains("no longer accepts this node's token"), refused.err());
        products.laptop("a", "sync").ok();
        browser.navigate().refresh();
        screenshot("console-nodes");
    }

    @Test
    @Order(8)
    void signingOutClosesEveryPage() throws Exception {
        String cookie = "trestle_console=" + browser.manage().getCookieNamed("trestle_console").getValue();
        assertEquals(200, get("nodes", cookie).statusCode(), "the session opens the pages before signing out");
        navigate(browser.findElement(By.id("sign-out")));
        assertEquals("Sign in", heading());
        assertTrue(notice().contains("signed out"));
        for (String page : PAGES) {
            browser.get(products.url + "/admin/" + page);
            assertTrue(browser.getCurrentUrl().endsWith("/admin/sign-in"), page + " after signing out");
            assertEquals(303, get(page, cookie).statusCode(), page + " with the ended session's cookie");
        }
    }

    /**
     * Clicks a link or button that loads another page, and waits until the browser has left
     * this page and loaded the next (a lookup in between would find the old page, or none).
     */
    private static void navigate(WebElement target) {
        WebElement page = browser.findElement(By.tagName("html"));
        target.click();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(60));
        // left: the old page's element is gone (Chromium reports it as stale or as not in the document)
        wait.until(d -> {
            try {
                page.isEnabled();
                return false;
            } catch (org.openqa.selenium.WebDriverException gone) {
                return true;
            }
        });
        wait.until(d -> "complete".equals(((JavascriptExecutor) d).executeScript("return document.readyState")));
    }

    private void signIn(String token) {
        WebElement field = browser.findElement(By.id("token"));
        field.clear();
        field.sendKeys(token);
        navigate(browser.findElement(By.id("sign-in")));
    }

    private static String heading() {
        return browser.findElement(By.tagName("h1")).getText();
    }

    private static String problem() {
        return browser.findElement(By.cssSelector("p.problem")).getText();
    }

    private static String notice() {
        return browser.findElement(By.cssSelector("p.notice")).getText();
    }

    private static String nodeId(String code) {
        String href = browser.findElement(By.cssSelector("#nodes tr[data-code='" + code + "'] a[href$='/scope']"))
                .getAttribute("href");
        return href.replaceAll(".*/nodes/([^/]+)/scope$", "$1");
    }

    private static void screenshot(String name) throws Exception {
        Path dir = Path.of(System.getProperty("trestle.console.screenshots", "target/screenshots"));
        Files.createDirectories(dir);
        File shot = ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
    }

    private static HttpResponse<String> get(String page, String cookie) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(products.url + "/admin/" + page)).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return http().send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    /** A client that trusts the test's server by the fingerprint it printed, as a laptop does. */
    private static HttpClient http() throws Exception {
        X509ExtendedTrustManager pinned = new X509ExtendedTrustManager() {
            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                byte[] digest;
                try {
                    digest = MessageDigest.getInstance("SHA-256").digest(chain[0].getEncoded());
                } catch (java.security.NoSuchAlgorithmException e) {
                    throw new CertificateException(e);
                }
                String print = HexFormat.ofDelimiter(":").withUpperCase().formatHex(digest);
                if (!print.equals(products.fingerprint)) {
                    throw new CertificateException("not the test server's certificate: " + print);
                }
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                checkServerTrusted(chain, authType);
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                checkServerTrusted(chain, authType);
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
                throw new CertificateException("a client only");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
                throw new CertificateException("a client only");
            }

            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
                throw new CertificateException("a client only");
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        };
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(null, new TrustManager[] { pinned }, null);
        return HttpClient.newBuilder().sslContext(context).followRedirects(HttpClient.Redirect.NEVER).build();
    }
}
