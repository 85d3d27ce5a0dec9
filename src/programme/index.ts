/** The programme layer's document kinds (Programme, GameDay), registered with the loader on import. */
import './programme.js';
import './gameday.js';
