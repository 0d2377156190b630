/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter.callhome;

import static java.util.Objects.requireNonNull;

/**
 * The outcome of {@link CallHome#register}.
 */
public sealed interface Registration {
    /**
     * The gateway may call home; its sessions come from {@code gateway}.
     */
    record Registered(CallHomeGateway gateway) implements Registration {
        public Registered {
            requireNonNull(gateway);
        }
    }

    /**
     * The gateway cannot be told apart from others, or not at all: nothing was registered.
     *
     * @param reason for the gateway's state and the log
     */
    record Refused(String reason) implements Registration {
        public Refused {
            requireNonNull(reason);
        }
    }
}
