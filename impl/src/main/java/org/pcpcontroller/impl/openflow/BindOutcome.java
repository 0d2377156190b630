/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import io.netty.channel.Channel;
import io.netty.channel.unix.Errors;
import java.net.BindException;
import java.util.Objects;

/**
 * What an attempt to open the endpoint's listening socket came to. A port held by another listener is told apart from
 * the other failures: it is what an operator meets next to openflowplugin, and the log line tells them what to change.
 */
sealed interface BindOutcome {
    /**
     * Linux's EADDRINUSE: epoll exists on Linux only, and Netty ships it for architectures that share the generic
     * errno numbers (x86_64, aarch64, riscv64).
     */
    int EADDRINUSE = 98;
    /**
     * The JDK's text for EADDRINUSE. Its NIO transport folds EADDRINUSE, EADDRNOTAVAIL and EACCES into one
     * {@link BindException}, and only the message tells them apart.
     */
    String NIO_ADDRESS_IN_USE = "Address already in use";

    /** Switches can connect. */
    record Listening(Channel server) implements BindOutcome {
    }

    /** Another socket holds the address and port. */
    record PortInUse() implements BindOutcome {
    }

    /**
     * Any other reason: an address that is not local, a port below 1024 without the right, a name that does not
     * resolve.
     */
    record Failed(String reason) implements BindOutcome {
    }

    /**
     * The outcome of a bind that failed with the given cause.
     */
    static BindOutcome failed(final Throwable cause) {
        return switch (cause) {
            // epoll, what ODL runs (odl-netty-4 ships the native transport)
            case Errors.NativeIoException e when e.expectedErr() == -EADDRINUSE -> new PortInUse();
            case BindException e when NIO_ADDRESS_IN_USE.equals(e.getMessage()) -> new PortInUse();
            default -> new Failed(Objects.requireNonNullElse(cause.getMessage(), cause.getClass().getSimpleName()));
        };
    }
}
