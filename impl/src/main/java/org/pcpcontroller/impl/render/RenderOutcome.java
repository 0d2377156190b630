/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render;

import static java.util.Objects.requireNonNull;

/**
 * What became of one mapping on one renderer's devices.
 */
public sealed interface RenderOutcome {
    /** The devices acknowledged the mapping as it is now. */
    RenderOutcome INSTALLED = new Installed();

    /**
     * In effect on the gateway.
     */
    record Installed() implements RenderOutcome {
    }

    /**
     * Can never be put into effect: the device cannot express a mapping of this protocol at all. The client is told
     * UNSUPP_PROTOCOL (RFC 6887 section 7.4), a long-lifetime error, rather than a NETWORK_FAILURE it would retry.
     *
     * @param reason for the log, the render status and the operator
     */
    record Unsupported(String reason) implements RenderOutcome {
        public Unsupported {
            requireNonNull(reason);
        }
    }

    /**
     * Cannot be put into effect: the device refused it, cannot express it, or cannot be reached.
     *
     * @param reason for the log, the render status and the operator
     */
    record Failed(String reason) implements RenderOutcome {
        public Failed {
            requireNonNull(reason);
        }
    }
}
