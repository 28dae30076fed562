import { useContext } from 'react';
import { type Colour, colourProps, ThemeContext } from './theme.js';

/** `paint('bad')` → Text props; empty under NO_COLOR so no colour escape is ever written. */
export function usePaint(): (colour: Colour | undefined) => { color?: string } {
  const theme = useContext(ThemeContext);
  return (colour) => colourProps(theme, colour);
}
