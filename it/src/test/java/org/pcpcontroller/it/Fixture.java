/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.it;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Where the system tests find what the build gives them: the assembled distribution, the repository, a directory of
 * their own, and their scripts.
 */
final class Fixture {
    private Fixture() {
        // utility
    }

    /**
     * The assembled distribution (karaf/target/assembly).
     */
    static Path assembly() {
        return Path.of(System.getProperty("pcp.assembly"));
    }

    /**
     * The repository's root.
     */
    static Path root() {
        return Path.of(System.getProperty("pcp.root"));
    }

    /**
     * The test class's own directory under target/it (created): its distribution, captures, logs and topology.
     */
    static Path workdir(final Class<?> testClass) {
        final var dir = Path.of(System.getProperty("pcp.workdir"), testClass.getSimpleName());
        try {
            return Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A script or helper from src/test/resources.
     */
    static Path resource(final String name) {
        final var url = Fixture.class.getResource("/" + name);
        if (url == null) {
            throw new IllegalArgumentException("no test resource " + name);
        }
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }
}
