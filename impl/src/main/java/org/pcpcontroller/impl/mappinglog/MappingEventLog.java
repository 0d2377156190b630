/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.mappinglog;

/**
 * Where the store tells mapping events. The store calls it on the datastore's commit threads, outside its lock, for
 * every confirmed change: thousands a second under load. An implementation must therefore neither block nor throw,
 * and says through {@link #enabled()} whether it wants events at all, so that nothing is built for a log that is off.
 */
public interface MappingEventLog {
    /**
     * The logger name of the mapping log. A public, stable name that operators route in
     * {@code etc/org.ops4j.pax.logging.cfg}; not a class name, so that moving code does not move their log.
     */
    String LOGGER = "org.pcpcontroller.mappings";

    /**
     * The operators' log: one line per event at INFO on {@value #LOGGER}, worded by {@link MappingLogLine}.
     */
    MappingEventLog OPERATOR = new OperatorLog();

    /**
     * Whether events are wanted now; asked before each event is made. Cheap: a level check.
     */
    boolean enabled();

    /**
     * Records one event.
     */
    void log(MappingEvent event);
}
