/* Wheelhouse web UI: ops screens (registered with WH.screen). */
'use strict';
