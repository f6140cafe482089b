package io.tiyi.ui;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium driven by Debian's chromedriver, for the web UI's tests. Skips the
 * calling test when either is missing, but fails instead under TIYI_REQUIRE_EXTERNAL=1.
 * Screenshots go to {@code target/ui-screenshots/}.
 */
public final class Browser implements AutoCloseable {
    public static final Path SCREENSHOTS = Path.of("target", "ui-screenshots");
    private static final List<String> CHROMIUM = List.of("/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome");
    private static final List<String> DRIVER = List.of("/usr/bin/chromedriver", "/usr/lib/chromium/chromedriver");

    private final ChromeDriver driver;
    private final String base;

    private Browser(ChromeDriver driver, String base) {
        this.driver = driver;
        this.base = base;
    }

    /** Opens a browser for the node whose admin listener is {@code baseUrl} (no trailing slash). */
    public static Browser open(Path profileDir, String baseUrl) {
        String chromium = System.getenv().getOrDefault("TIYI_CHROMIUM", find(CHROMIUM));
        String driverBin = System.getenv().getOrDefault("TIYI_CHROMEDRIVER", find(DRIVER));
        if (chromium == null || driverBin == null) {
            String why = "Chromium or chromedriver not installed (apt-get install chromium chromium-driver; looked at " + CHROMIUM + " and "
                    + DRIVER + ")";
            if ("1".equals(System.getenv("TIYI_REQUIRE_EXTERNAL"))) {
                fail(why + " (TIYI_REQUIRE_EXTERNAL=1)");
            }
            Assumptions.abort(why);
        }
        ChromeOptions o = new ChromeOptions();
        o.setBinary(chromium);
        // Without the background-networking flags Chromium keeps trying to reach Google, which a
        // closed network refuses; a fresh profile keeps tests from sharing cookies.
        o.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-extensions",
                "--user-data-dir=" + profileDir.toAbsolutePath(), "--window-size=1280,900", "--lang=en-US");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        o.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(Path.of(driverBin).toFile())
                .usingAnyFreePort().build();
        ChromeDriver d = new ChromeDriver(service, o);
        d.manage().timeouts().scriptTimeout(Duration.ofSeconds(20));
        return new Browser(d, baseUrl);
    }

    private static String find(List<String> candidates) {
        return candidates.stream().filter(p -> Files.isExecutable(Path.of(p))).findFirst().orElse(null);
    }

    public WebDriver driver() {
        return driver;
    }

    /** Opens {@code path} of the node, for example {@code /} or {@code /#/events}. */
    public Browser go(String path) {
        driver.get(base + path);
        return this;
    }

    public WebElement await(By by) {
        return new WebDriverWait(driver, Duration.ofSeconds(15)).until(ExpectedConditions.visibilityOfElementLocated(by));
    }

    public <T> T await(Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, Duration.ofSeconds(15)).pollingEvery(Duration.ofMillis(100)).until(condition::apply);
    }

    /** Waits until the element's text contains {@code text}. */
    public WebElement awaitText(By by, String text) {
        return await(d -> {
            List<WebElement> els = d.findElements(by);
            return els.stream().filter(e -> e.isDisplayed() && e.getText().contains(text)).findFirst().orElse(null);
        });
    }

    /**
     * Replaces the field's text as a user does, selecting all of it and deleting it before typing, and
     * checks the field then holds exactly {@code text}. WebDriver's {@code clear()} would empty the
     * element without an input event: the page's state keeps the old text, and any re-render before the
     * first keystroke puts it back, so the keys land after it.
     */
    public void type(By by, String text) {
        WebElement e = await(by);
        e.sendKeys(Keys.chord(Keys.CONTROL, "a"), Keys.DELETE);
        e.sendKeys(text);
        String held = e.getDomProperty("value");
        if (!text.replace("\r\n", "\n").equals(held == null ? null : held.replace("\r\n", "\n"))) {
            fail("field " + by + " holds " + (held == null ? "no value" : held.length() + " characters") + " after typing "
                    + text.length() + ": " + (held == null ? "" : held.substring(0, Math.min(80, held.length()))));
        }
    }

    public void click(By by) {
        WebElement e = new WebDriverWait(driver, Duration.ofSeconds(15)).until(ExpectedConditions.elementToBeClickable(by));
        ((JavascriptExecutor) driver).executeScript("arguments[0].scrollIntoView({block:'center'})", e);
        e.click();
    }

    /**
     * Logs out with the shell's button and waits for the login page: the console shows it once the
     * logout request has cleared the session cookies. Navigating before that would race the request
     * and find the old session still signed in.
     */
    public Browser logout() {
        click(By.id("logout"));
        await(By.id("login-user"));
        return this;
    }

    /** Logs in through the login page and waits for the shell. */
    public Browser login(String user, String password) {
        go("/");
        type(By.id("login-user"), user);
        type(By.id("login-password"), password);
        click(By.id("login-submit"));
        return this;
    }

    /** Answers the forced password change page (after a bootstrap or reset password) with {@code password}. */
    public void choosePassword(String password) {
        type(By.id("password-password"), password);
        type(By.id("password-confirm"), password);
        click(By.id("password-submit"));
    }

    public void viewport(int width, int height) {
        driver.manage().window().setSize(new Dimension(width, height));
    }

    /** Saves a PNG of the viewport as target/ui-screenshots/{name}.png. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path out = SCREENSHOTS.resolve(name + ".png");
            Files.copy(driver.getScreenshotAs(OutputType.FILE).toPath(), out, StandardCopyOption.REPLACE_EXISTING);
            return out;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Saves the whole page, not only the viewport (the window grows to the page's height for the shot). */
    public Path fullPage(String name) {
        Dimension before = driver.manage().window().getSize();
        Number height = (Number) js("return Math.max(document.documentElement.scrollHeight, document.body.scrollHeight)");
        js("window.scrollTo(0, 0)");
        driver.manage().window().setSize(new Dimension(before.getWidth(), Math.min(4000, height.intValue() + 140)));
        try {
            return screenshot(name);
        } finally {
            driver.manage().window().setSize(before);
        }
    }

    /** Console errors since the last call: CSP violations, failed module loads, exceptions. */
    public List<String> consoleErrors() {
        return driver.manage().logs().get(LogType.BROWSER).getAll().stream().filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue())
                .map(LogEntry::getMessage)
                // A 401 from WhoAmI before login and the 4xx answers tests provoke are expected, not page errors.
                .filter(m -> !m.matches("(?s).*the server responded with a status of 4\\d\\d.*"))
                .collect(Collectors.toList());
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    public Map<String, Object> cookies() {
        return driver.manage().getCookies().stream().collect(Collectors.toMap(c -> c.getName(), c -> c));
    }

    @Override
    public void close() {
        driver.quit();
    }
}
