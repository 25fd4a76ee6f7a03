package measure

// BestReachableRate is R9's best rate still reachable: (numerator + pending) /
// denominator, rounded like Rate (4 decimals); 0 when the denominator is 0.
func (e EntityResult) BestReachableRate() float64 {
	if e.Denominator <= 0 {
		return 0
	}
	return Round(float64(e.Numerator+e.Pending)/float64(e.Denominator), 4)
}
