package io.holdfast.web;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;

import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * Debian's Chromium, headless, driven over WebDriver (installed by ha-config/install-browser). Every page
 * the test visits is checked for console errors and for requests to any host but the application's.
 */
public final class Browser implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ChromeDriver driver;
    private final String base;
    private final List<String> problems = new ArrayList<>();
    private final List<String> origins = new ArrayList<>();

    public Browser(String base) {
        this.base = base.endsWith("/") ? base.substring(0, base.length() - 1) : base;
        origins.add(this.base);
        ChromeOptions options = new ChromeOptions();
        options.setBinary("/usr/bin/chromium");
        options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
                "--disable-default-apps", "--disable-extensions", "--window-size=1280,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        logs.enable(LogType.PERFORMANCE, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(new java.io.File("/usr/bin/chromedriver")).usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    }

    /** Another origin of the application itself (the other node of a pair). */
    public Browser allow(String origin) {
        origins.add(origin.endsWith("/") ? origin.substring(0, origin.length() - 1) : origin);
        return this;
    }

    /** Opens a page of another node of the same application (see {@link #allow}). */
    public Browser openAt(String origin, String path) {
        driver.get(origin + path);
        return this;
    }

    public WebDriver driver() {
        return driver;
    }

    public String base() {
        return base;
    }

    public Browser open(String path) {
        driver.get(base + path);
        return this;
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> all(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    public String text(String css) {
        return find(css).getText();
    }

    public void type(String css, String text) {
        WebElement input = find(css);
        input.clear();
        input.sendKeys(text);
    }

    public void click(String css) {
        find(css).click();
    }

    public Object js(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    public <T> T await(String what, Duration timeout, Function<WebDriver, T> condition) {
        return new WebDriverWait(driver, timeout).withMessage(what).pollingEvery(Duration.ofMillis(50))
                .ignoring(org.openqa.selenium.StaleElementReferenceException.class).until(condition);
    }

    public <T> T await(String what, Function<WebDriver, T> condition) {
        return await(what, Duration.ofSeconds(15), condition);
    }

    public void awaitPath(String path) {
        await("page " + path, d -> URI.create(d.getCurrentUrl()).getPath().equals(path) ? true : null);
    }

    /** Waits until the page's server-sent event stream is open (htmx's SSE extension fired sseOpen). */
    public void awaitLive() {
        await("the live stream to open", d -> "yes".equals(js("return document.body.dataset.live")) ? true : null);
    }

    public void logIn(String username, String password) {
        open("/login");
        type("#username", username);
        type("#password", password);
        click("#login");
        await("logged in as " + username, d -> d.findElements(By.id("who")).stream()
                .anyMatch(e -> e.getText().equals(username)) ? true : null);
    }

    public void phone() {
        driver.manage().window().setSize(new Dimension(390, 844));
    }

    public void desktop() {
        driver.manage().window().setSize(new Dimension(1280, 900));
    }

    /**
     * A full-page screenshot into target/screenshots/ (or the directory in {@code holdfast.screenshots.dir}): test runs
     * never rewrite the README's pictures in docs/, which ha-config/screenshots takes from the demo system.
     */
    public void screenshot(String name) {
        screenshot(Path.of(System.getProperty("holdfast.screenshots.dir", "target/screenshots")), name);
    }

    public void screenshot(Path dir, String name) {
        try {
            Number height = (Number) js("return Math.max(document.body.scrollHeight, 600)");
            Dimension was = driver.manage().window().getSize();
            driver.manage().window().setSize(new Dimension(was.getWidth(), Math.min(3000, height.intValue() + 140)));
            Files.createDirectories(dir);
            Path shot = driver.getScreenshotAs(OutputType.FILE).toPath();
            Files.copy(shot, dir.resolve(name + ".png"), StandardCopyOption.REPLACE_EXISTING);
            driver.manage().window().setSize(was);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Collects console errors and requests to other hosts since the last call; {@link #assertClean()} fails
     * the test on any. {@code allowed} are fragments of console messages a test provoked on purpose.
     */
    public void collect(String... allowed) {
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()
                    && java.util.Arrays.stream(allowed).noneMatch(a -> entry.getMessage().contains(a))) {
                problems.add("console: " + entry.getMessage());
            }
        }
        for (LogEntry entry : driver.manage().logs().get(LogType.PERFORMANCE)) {
            try {
                JsonNode message = JSON.readTree(entry.getMessage()).path("message");
                if (!"Network.requestWillBeSent".equals(message.path("method").asText())) {
                    continue;
                }
                String url = message.path("params").path("request").path("url").asText();
                if (!url.startsWith("data:") && origins.stream().noneMatch(o -> url.equals(o) || url.startsWith(o + "/"))) {
                    problems.add("request to another host: " + url);
                }
            } catch (IOException e) {
                problems.add("unreadable performance log entry: " + e.getMessage());
            }
        }
    }

    public void assertClean(String... allowed) {
        collect(allowed);
        assertThat(problems).as("console errors and outside requests").isEmpty();
    }

    @Override
    public void close() {
        driver.quit();
    }
}
