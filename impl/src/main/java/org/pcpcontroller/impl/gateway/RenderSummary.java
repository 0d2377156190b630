/*
 * Copyright (c) 2026 PCP Controller authors and others.  All rights reserved.
 *
 * This program and the accompanying materials are made available under the
 * terms of the Eclipse Public License v1.0 which accompanies this distribution,
 * and is available at http://www.eclipse.org/legal/epl-v10.html
 */
package org.pcpcontroller.impl.gateway;

import org.eclipse.jdt.annotation.Nullable;

/**
 * How far one renderer has put one gateway's mappings into effect ({@code state/renderer}).
 *
 * @param installed mappings in effect on the gateway
 * @param pending mappings sent or waiting to be sent, not acknowledged yet
 * @param failed mappings the gateway refused or that could not be given to it
 * @param lastFailure the reason of the most recent failure, if any
 */
public record RenderSummary(long installed, long pending, long failed, @Nullable String lastFailure) {
}
