/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

import static java.util.Objects.requireNonNull;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jdt.annotation.Nullable;

/**
 * The periodic flow audit of one consumer of the switches (punt ingress, DSCP renderer). It catches what no
 * FLOW_REMOVED reports: a switch that does not send it, a flow installed before the switch was asked to report its
 * deletion. Its interval is a setting that changes in place. Thread-safe.
 */
public final class AuditSchedule {
    private final ScheduledExecutorService executor;
    private final Runnable auditAll;
    // guarded by this
    private long interval;
    private @Nullable ScheduledFuture<?> task;

    /**
     * The audits run {@code auditAll} on {@code executor}, once {@link #setInterval} gave them an interval.
     */
    public AuditSchedule(final ScheduledExecutorService executor, final Runnable auditAll) {
        this.executor = requireNonNull(executor);
        this.auditAll = requireNonNull(auditAll);
    }

    /**
     * (Re)starts the audits every {@code seconds} when that is a change; 0 or less stops them.
     */
    public synchronized void setInterval(final long seconds) {
        final long wanted = Math.max(0, seconds);
        if (wanted == interval && (task != null || wanted == 0)) {
            return;
        }
        interval = wanted;
        final var running = task;
        if (running != null) {
            running.cancel(false);
            task = null;
        }
        if (wanted > 0) {
            task = executor.scheduleWithFixedDelay(auditAll, wanted, wanted, TimeUnit.SECONDS);
        }
    }

    /**
     * The interval in force, in seconds; 0 when off.
     */
    public synchronized long interval() {
        return task == null ? 0 : interval;
    }
}
