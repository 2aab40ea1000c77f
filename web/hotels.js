/* Wheelhouse web UI: hotels screens (registered with WH.screen). */
'use strict';
