/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.openflow;

/**
 * One flow audit at a time on a switch. A wiped table reports one FLOW_REMOVED per flow: those asked while an audit
 * runs fold into a single audit after it, which reads the table as the repair left it. Thread-safe.
 */
public final class AuditGate {
    private boolean running;
    private boolean again;

    /**
     * An audit is asked for. True: the caller runs it now; false: one runs, and another follows it.
     */
    public synchronized boolean begin() {
        if (running) {
            again = true;
            return false;
        }
        running = true;
        return true;
    }

    /**
     * The running audit ended (its repair acknowledged or given up). True: the caller runs the one asked meanwhile.
     */
    public synchronized boolean end() {
        if (again) {
            again = false;
            return true;
        }
        running = false;
        return false;
    }
}
