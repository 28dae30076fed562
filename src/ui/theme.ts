import { createContext } from 'react';

/** Colour names the console uses; mapped to Ink colours only when colour is on. */
export type Colour = 'accent' | 'good' | 'warn' | 'bad' | 'dim';

const INK_COLOURS: Readonly<Record<Colour, string>> = { accent: 'cyan', good: 'green', warn: 'yellow', bad: 'red', dim: 'gray' };

export interface Theme {
  readonly noColor: boolean;
}

export const ThemeContext = createContext<Theme>({ noColor: false });

/** Ink Text props for a colour; none at all under NO_COLOR. */
export const colourProps = (theme: Theme, colour: Colour | undefined): { color?: string } =>
  theme.noColor || colour === undefined ? {} : { color: INK_COLOURS[colour] };
