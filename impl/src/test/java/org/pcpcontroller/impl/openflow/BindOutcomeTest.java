/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.netty.channel.epoll.Epoll;
import io.netty.channel.unix.Errors;
import java.net.BindException;
import java.nio.channels.UnresolvedAddressException;
import org.junit.jupiter.api.Test;

/**
 * A port in use is told from the other bind failures on both transports: the real-socket tests of
 * {@link OpenFlowEndpointTest} meet only the one this machine runs (epoll where the native library loads), so the
 * other's exceptions are built here as the JDK and Netty build them.
 */
class BindOutcomeTest {
    @Test
    void nioAddressInUseIsAPortInUse() {
        assertEquals(new BindOutcome.PortInUse(), BindOutcome.failed(new BindException("Address already in use")));
    }

    @Test
    void nioAddressNotAvailableIsAFailureWithTheSystemsWords() {
        // the JDK throws BindException for EADDRNOTAVAIL and EACCES too
        assertEquals(new BindOutcome.Failed("Cannot assign requested address"),
            BindOutcome.failed(new BindException("Cannot assign requested address")));
        assertEquals(new BindOutcome.Failed("Permission denied"),
            BindOutcome.failed(new BindException("Permission denied")));
    }

    @Test
    void epollAddressInUseIsAPortInUse() {
        // NativeIoException's message comes from the native library
        assumeTrue(Epoll.isAvailable(), "no native epoll here");
        assertEquals(new BindOutcome.PortInUse(),
            BindOutcome.failed(new Errors.NativeIoException("bind", -BindOutcome.EADDRINUSE)));
    }

    @Test
    void epollAddressNotAvailableIsAFailure() {
        assumeTrue(Epoll.isAvailable(), "no native epoll here");
        // EADDRNOTAVAIL, 99 on Linux
        final var cause = new Errors.NativeIoException("bind", -99);
        assertEquals(new BindOutcome.Failed(cause.getMessage()), BindOutcome.failed(cause));
    }

    @Test
    void aCauseWithoutAMessageIsNamedByItsType() {
        assertEquals(new BindOutcome.Failed("UnresolvedAddressException"),
            BindOutcome.failed(new UnresolvedAddressException()));
    }
}
