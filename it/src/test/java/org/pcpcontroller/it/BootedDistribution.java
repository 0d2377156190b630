/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.google.common.collect.Maps;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.stream.Stream;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.LifecycleMethodExecutionExceptionHandler;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Boots a private copy of the distribution once per {@link SystemTest} class, after checking what the class needs,
 * and stops it after the class's own {@code @AfterAll} (which tears its topology down first). Each class has its own
 * directory under {@code target/it}, so the logs of every class are still there after the run; when anything in the
 * class failed, the log's warnings and errors are printed with the place of the whole log, since a CI log is often
 * all there is.
 */
final class BootedDistribution implements BeforeAllCallback, AfterAllCallback, ParameterResolver, TestWatcher,
        LifecycleMethodExecutionExceptionHandler {
    // A bound, not an expectation: a boot takes about a minute on an idle machine, but several times that while
    // another member or the build's fuzz replay keeps both cores busy, and a failed boot fails the whole class.
    static final Duration BOOT_TIMEOUT = Duration.ofMinutes(8);

    private static final Logger LOG = LoggerFactory.getLogger(BootedDistribution.class);
    private static final ExtensionContext.Namespace NAMESPACE =
        ExtensionContext.Namespace.create(BootedDistribution.class);
    private static final int LOG_LINES = 200;

    @Override
    public void beforeAll(final ExtensionContext context) throws Exception {
        final var testClass = context.getRequiredTestClass();
        final var needs = AnnotationSupport.findAnnotation(testClass, SystemTest.class)
            .orElseThrow(() -> new IllegalStateException(testClass + " is not a @SystemTest"));
        final var missing = missing(needs);
        if (!missing.isEmpty()) {
            LOG.warn("{} skipped: {}", testClass.getSimpleName(), missing);
        }
        assumeTrue(missing.isEmpty(), missing);
        if (!needs.boot()) {
            return;
        }
        final var karaf = Distribution.copy(Fixture.assembly(), Fixture.workdir(testClass));
        store(context).put(Distribution.class, karaf);
        final var etc = needs.etc();
        if (etc.length % 2 != 0) {
            throw new IllegalStateException(testClass + ": @SystemTest(etc) holds pairs of file name and settings");
        }
        for (int i = 0; i < etc.length; i += 2) {
            final var settings = new Properties();
            settings.load(new StringReader(etc[i + 1]));
            karaf.configure(etc[i], Maps.fromProperties(settings));
        }
        // a boot that does not come up is a failure whose log afterAll prints
        failed(context);
        karaf.start(BOOT_TIMEOUT);
        store(context).remove(Failed.class);
    }

    // What the class needs and this machine lacks, as a sentence; empty when nothing is missing.
    private static String missing(final SystemTest needs) {
        final var absent = Arrays.stream(needs.tools()).filter(tool -> !Shell.onPath(tool)).toList();
        final boolean notRoot = needs.root() && !"root".equals(System.getProperty("user.name"));
        if (absent.isEmpty() && !notRoot) {
            return "";
        }
        return "needs " + String.join(" and ", Stream.concat(notRoot ? Stream.of("root") : Stream.empty(),
            absent.stream()).toList()) + "; ./test.sh runs as root and installs every peer";
    }

    @Override
    public void afterAll(final ExtensionContext context) throws Exception {
        final var karaf = store(context).remove(Distribution.class, Distribution.class);
        if (karaf == null) {
            return;
        }
        karaf.close();
        if (store(context).get(Failed.class) != null) {
            printLog(context.getRequiredTestClass().getSimpleName(), karaf.home());
        }
    }

    @Override
    public boolean supportsParameter(final ParameterContext parameter, final ExtensionContext context) {
        return parameter.getParameter().getType() == Distribution.class;
    }

    @Override
    public Object resolveParameter(final ParameterContext parameter, final ExtensionContext context) {
        final var karaf = store(context).get(Distribution.class, Distribution.class);
        if (karaf == null) {
            throw new IllegalStateException(context.getRequiredTestClass().getSimpleName()
                + " boots no distribution (@SystemTest(boot = false))");
        }
        return karaf;
    }

    @Override
    public void testFailed(final ExtensionContext context, final Throwable cause) {
        failed(context);
    }

    @Override
    public void handleBeforeAllMethodExecutionException(final ExtensionContext context, final Throwable throwable)
            throws Throwable {
        failed(context);
        throw throwable;
    }

    @Override
    public void handleAfterAllMethodExecutionException(final ExtensionContext context, final Throwable throwable)
            throws Throwable {
        failed(context);
        throw throwable;
    }

    private static void failed(final ExtensionContext context) {
        store(context).put(Failed.class, Failed.FAILED);
    }

    // The class's store: test methods' contexts reach it through their parent.
    private static ExtensionContext.Store store(final ExtensionContext context) {
        var classContext = context;
        while (classContext.getTestMethod().isPresent() && classContext.getParent().isPresent()) {
            classContext = classContext.getParent().orElseThrow();
        }
        return classContext.getStore(NAMESPACE);
    }

    private static void printLog(final String testClass, final Path home) {
        final var log = home.resolve("data/log/karaf.log");
        try {
            final List<String> lines = Files.isRegularFile(log) ? Files.readAllLines(log) : List.of();
            final var problems = lines.stream().filter(line -> line.contains("| WARN ") || line.contains("| ERROR "))
                .toList();
            LOG.error("{} failed; the distribution's warnings and errors (last {} of {}), whole log in {}, its "
                + "console in {}:\n{}", testClass, Math.min(LOG_LINES, problems.size()), problems.size(), log,
                home.resolve("karaf.out"), String.join("\n", problems.subList(Math.max(0, problems.size()
                    - LOG_LINES), problems.size())));
        } catch (IOException e) {
            LOG.error("{} failed; the distribution's log {} could not be read", testClass, log, e);
        }
    }

    private enum Failed {
        FAILED
    }
}
