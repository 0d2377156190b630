/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.mappinglog;

import static java.util.Objects.requireNonNull;

import java.time.Instant;
import org.pcpcontroller.api.mapping.Mapping;

/**
 * A change of a stored mapping, as an operator names it. The store makes one per mapping once the datastore has
 * confirmed the change: a change that was undone is no event, and neither is a mapping read back at start-up.
 *
 * @param kind what happened to the mapping
 * @param mapping the mapping as the change left it; for a removal, as it was until then
 * @param at when the store took the change; the lifetime logged is counted from it
 */
public record MappingEvent(Kind kind, Mapping mapping, Instant at) {
    /**
     * What happened to a mapping. Only the store can tell a removal from an expiry, and a refresh from a creation:
     * the datastore's change feed sees a write or a delete.
     */
    public enum Kind {
        /** A mapping that did not exist was stored. */
        ADDED("added"),
        /** A stored mapping was stored again: its lease renewed, or its owner or options changed. */
        REFRESHED("refreshed"),
        /** Removed before its lease ended: by its client, an operator, or because the gateway went. */
        REMOVED("removed"),
        /** Removed by the store because its lease ended. */
        EXPIRED("expired");

        private final String word;

        Kind(final String word) {
            this.word = word;
        }

        /**
         * The word in the log line; part of the log's format, which operators grep for.
         */
        public String word() {
            return word;
        }
    }

    public MappingEvent {
        requireNonNull(kind);
        requireNonNull(mapping);
        requireNonNull(at);
    }
}
