/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.mappinglog;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A mapping log that keeps the events, for tests: what the store told, and the lines the operators' log would have
 * shown. It can be switched off, as a logger set above INFO, and counts how often it was asked.
 */
public final class RecordingMappingLog implements MappingEventLog {
    private final CopyOnWriteArrayList<MappingEvent> events = new CopyOnWriteArrayList<>();
    private final AtomicInteger asked = new AtomicInteger();
    private volatile boolean enabled = true;

    @Override
    public boolean enabled() {
        asked.incrementAndGet();
        return enabled;
    }

    @Override
    public void log(final MappingEvent event) {
        if (!enabled) {
            throw new AssertionError("an event was made for a log that is off: " + event);
        }
        events.add(event);
    }

    public void setEnabled(final boolean on) {
        enabled = on;
    }

    /** How often the store asked whether the log is on: once per event it would have made. */
    public int asked() {
        return asked.get();
    }

    public List<MappingEvent> events() {
        return List.copyOf(events);
    }

    /** The events as the operators' log words them. */
    public List<String> lines() {
        return events.stream().map(MappingLogLine::format).toList();
    }

    public void clear() {
        events.clear();
    }
}
