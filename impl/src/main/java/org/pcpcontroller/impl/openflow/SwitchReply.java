/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static java.util.Objects.requireNonNull;

/**
 * What came of a request to a switch that expects an answer (a BARRIER, a multipart request).
 *
 * @param <T> what an answer carries
 */
public sealed interface SwitchReply<T> {
    /**
     * The switch answered.
     *
     * @param value what it answered
     */
    record Answered<T>(T value) implements SwitchReply<T> {
        public Answered {
            requireNonNull(value);
        }
    }

    /**
     * No answer will come: the connection went, the request timed out, or it was refused to keep the connection's
     * memory bounded.
     *
     * @param reason for logs and render status
     */
    record Unanswered<T>(String reason) implements SwitchReply<T> {
        public Unanswered {
            requireNonNull(reason);
        }
    }
}
