/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.render.netfilter.callhome;

import static java.util.Objects.requireNonNull;

import java.security.KeyPair;
import java.util.List;

/**
 * How the controller authenticates to a gateway's SSH server. Never printed with its secret.
 */
public sealed interface SshCredentials {
    /**
     * The SSH user name.
     */
    String username();

    /**
     * Password authentication.
     */
    record Password(String username, String password) implements SshCredentials {
        public Password {
            requireNonNull(username);
            requireNonNull(password);
        }

        @Override
        public String toString() {
            return username + " (password)";
        }
    }

    /**
     * Public key authentication with the keys given, tried in order.
     */
    record PublicKeys(String username, List<KeyPair> keys) implements SshCredentials {
        public PublicKeys {
            requireNonNull(username);
            keys = List.copyOf(keys);
            if (keys.isEmpty()) {
                throw new IllegalArgumentException("at least one key");
            }
        }

        @Override
        public String toString() {
            return username + " (" + keys.size() + " key" + (keys.size() == 1 ? ")" : "s)");
        }
    }
}
