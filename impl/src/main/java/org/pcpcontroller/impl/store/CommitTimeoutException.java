/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.store;

/**
 * A change whose datastore commit did not complete in time. The change is undone in the index; if the datastore
 * applies it later, the store writes the index's state over it, so that nothing is kept that was not acknowledged.
 */
public final class CommitTimeoutException extends Exception {
    private static final long serialVersionUID = 1L;

    CommitTimeoutException(final long millis) {
        super("the datastore did not confirm the commit within " + millis + " ms", null, false, false);
    }
}
